import { expect } from 'chai';
import { translator } from '../../src/i18n/index.ts';
import { newBrowser } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const HELPDESK = { whatsapp: '+62 812-3456-7890', email: 'helpdesk@contoh.go.id', hours: 'Senin–Jumat 07.30–16.00 WIB', passwordHelp: 'Atur ulang kata sandi di BKPSDM lantai 2.' };

describe('error pages and help', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ regency: { name: 'Kabupaten Contoh', helpdesk: HELPDESK } });
  });
  after(() => op?.stop());

  for (const lang of ['id', 'en'] as const) {
    it(`answers an unknown address with the error page, a way home and the help desk (${lang})`, async () => {
      const t = translator(lang);
      const page = await newBrowser().open(`${op.local}/tidak-ada?lang=${lang}`);
      expect(page.status).to.equal(404);
      expect(page.doc.querySelector('html')?.getAttribute('lang')).to.equal(lang);
      expect(page.doc.querySelector('h1')?.text).to.equal(t('error.not_found_title'));
      expect(page.doc.querySelector('[role=alert]')?.text).to.equal(t('error.not_found'));
      expect(page.doc.querySelector('ul.next-steps a[href="/"]')?.text).to.equal(t('error.home'));
      expect(page.doc.querySelector('.reference')?.text).to.match(/[0-9a-f]{12}/);
      expect(page.doc.querySelector('aside.helpdesk a[href="https://wa.me/6281234567890"]')?.text).to.equal(HELPDESK.whatsapp);
      expect(page.doc.querySelector('aside.helpdesk a[href="mailto:helpdesk@contoh.go.id"]')).to.not.equal(null);
      expect(page.html).to.contain(HELPDESK.hours);
    });
  }

  it('keeps the language link on the page for an address that looks like another site', async () => {
    const res = await fetch(`${op.local}//evil.example/x`);
    expect(res.status).to.equal(404);
    const html = await res.text();
    expect(html).to.match(/<a class="lang" href="\?lang=en"/);
    expect(html).to.not.contain('href="//evil.example');
  });

  it('answers JSON to the admin API and to clients that ask for JSON', async () => {
    const api = await fetch(`${op.local}/admin/api/v1/tidak-ada`);
    expect(api.status).to.be.oneOf([401, 404]);
    const json = await fetch(`${op.local}/tidak-ada`, { headers: { accept: 'application/json' } });
    expect(json.status).to.equal(404);
    expect(await json.json()).to.deep.equal({ error: 'not_found' });
  });

  it('tells on the sign-in page what to do about a forgotten password, with a show-password button', async () => {
    const page = await newBrowser().open(`${op.local}/akun`);
    expect(page.doc.querySelector('form[action$="/login"]'), 'the sign-in page').to.not.equal(null);
    expect(page.doc.querySelector('details.forgot p')?.text).to.equal(HELPDESK.passwordHelp);
    expect(page.doc.querySelector('button[data-show-password="password"]')?.hasAttribute('hidden'), 'hidden until the script runs').to.equal(true);
    expect(page.doc.querySelector('script[src="/static/show-password.js"]')).to.not.equal(null);
    expect((await fetch(`${op.local}/static/show-password.js`)).status).to.equal(200);
    expect(page.doc.querySelector('aside.helpdesk')).to.not.equal(null);
  });

  it('shows no help desk when none is configured, and the default password advice', async () => {
    const plain = await startProvider();
    try {
      const page = await newBrowser().open(`${plain.local}/akun`);
      expect(page.doc.querySelector('aside.helpdesk')).to.equal(null);
      expect(page.doc.querySelector('details.forgot p')?.text).to.equal(translator('id')('login.password_help'));
    } finally {
      await plain.stop();
    }
  });
});
