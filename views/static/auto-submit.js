// Sign-out from Satu Akun's own pages: the person already chose "Keluar" there, so the confirmation submits itself.
// Without scripts the page stays, with its button.
document.querySelector('button[data-auto-submit]')?.click();
