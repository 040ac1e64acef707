// Runs the WebAuthn ceremony whose options the page carries (an inert JSON script), then submits its form with the
// result. Without JavaScript or WebAuthn the section stays hidden and the code form remains.
(function () {
  var section = document.getElementById('webauthn');
  var options = document.getElementById('webauthn-options');
  var lib = window.SimpleWebAuthnBrowser;
  if (!section || !options || !lib || !lib.browserSupportsWebAuthn()) return;
  section.hidden = false;
  var unsupported = document.getElementById('webauthn-unsupported');
  if (unsupported) unsupported.hidden = true;
  var form = section.querySelector('form');
  var register = form.getAttribute('data-ceremony') === 'register';
  form.addEventListener('submit', function (event) {
    if (form.querySelector('input[name=response]').value) return;
    event.preventDefault();
    var optionsJSON = JSON.parse(options.textContent);
    var ceremony = register ? lib.startRegistration({ optionsJSON: optionsJSON }) : lib.startAuthentication({ optionsJSON: optionsJSON });
    ceremony.then(function (result) {
      form.querySelector('input[name=response]').value = JSON.stringify(result);
      form.submit();
    }, function () {
      form.querySelector('input[name=response]').value = '{}';
      form.submit();
    });
  });
})();
