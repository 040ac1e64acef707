// The buttons that help keep a secret shown once (issue 12 §2): "Salin kunci" on the authenticator set-up page, and
// "Salin semua", "Unduh .txt" and "Cetak" on the recovery-codes page. They are hidden in the page and shown only
// here, so without scripts nobody sees a button that does nothing. The .txt file is made in the browser from the
// codes on the page: the server never shows the codes a second time.
(() => {
  const status = document.getElementById('copy-status');
  const say = (text) => {
    if (!status) return;
    status.textContent = '';
    // A fresh text node after a tick, so a screen reader announces the same message twice in a row.
    setTimeout(() => { status.textContent = text; }, 50);
  };

  /** What an element stands for as text: a key carries it in data-copy-text; a list of codes is one code a line. */
  const codesOf = (element) => [...element.querySelectorAll('code')].map((code) => code.textContent.trim());
  const textOf = (element) => element.dataset.copyText || codesOf(element).join('\n') || element.textContent.trim();

  /** The clipboard API (secure pages), else the old selection-and-copy way. */
  const copy = async (text) => {
    if (navigator.clipboard?.writeText) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // Refused (permissions, an old browser): fall through to the selection.
      }
    }
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    area.remove();
    return done;
  };

  for (const button of document.querySelectorAll('button[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      say((await copy(textOf(source))) ? button.dataset.copied : button.dataset.copyFailed);
    });
  }

  for (const button of document.querySelectorAll('button[data-download]')) {
    const sheet = document.getElementById(button.dataset.download);
    if (!sheet) continue;
    button.addEventListener('click', () => {
      // The sheet's heading lines, the codes one a line, and the note that each works once; CRLF for Notepad.
      const lines = [...sheet.querySelectorAll('.sheet-line')].map((line) => line.textContent.trim());
      const note = sheet.querySelector('.sheet-note');
      const body = [...lines, '', ...codesOf(sheet), '', note ? note.textContent.trim() : ''].join('\r\n') + '\r\n';
      const url = URL.createObjectURL(new Blob([body], { type: 'text/plain;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = button.dataset.fileName || 'kode-pemulihan.txt';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      if (button.dataset.downloaded) say(button.dataset.downloaded);
    });
  }

  for (const button of document.querySelectorAll('button[data-print]')) {
    button.addEventListener('click', () => window.print());
  }

  const actions = document.getElementById('code-actions');
  if (actions) actions.hidden = false;
})();
