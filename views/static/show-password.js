// The sign-in page's "show password" button: shown only when this script runs (without it the password stays masked
// and the button stays hidden). It switches the field between masked and plain text and says which it is.
for (const button of document.querySelectorAll('[data-show-password]')) {
  const field = document.getElementById(button.dataset.showPassword);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener('click', () => {
    const show = field.type === 'password';
    field.type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(show));
    button.textContent = show ? button.dataset.hide : button.dataset.show;
    field.focus();
  });
}
