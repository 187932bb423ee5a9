// sigess.js — the UI's own script, loaded (deferred) after htmx and the
// Bootstrap Italia bundle:
//   * loads Bootstrap Italia's fonts from our static path (data-fonts), since
//     the bundle does not know where they are served;
//   * sends the CSRF token of <meta name="csrf-token"> with every htmx request
//     (header X-CSRF-Token), as forms send it in their hidden field "csrf".
(function () {
  'use strict';
  var me = document.currentScript;
  if (window.bootstrap && window.bootstrap.loadFonts && me && me.dataset.fonts) {
    window.bootstrap.loadFonts(me.dataset.fonts);
  }
  document.addEventListener('htmx:configRequest', function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers['X-CSRF-Token'] = meta.content;
    }
  });
})();
