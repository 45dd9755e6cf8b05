// Forms marked data-confirm ask before they are sent (the CSP allows no inline handlers).
// Without JavaScript the form is sent as it is; the server still checks everything.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
