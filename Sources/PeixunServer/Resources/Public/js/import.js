// 上传进度：大文件上传时显示已上传字节、服务器已读取的行数、每秒行数和预计剩余时间。
// Without JavaScript the form posts as usual; this only adds the bar.
(function () {
  'use strict';
  var form = document.querySelector('form[data-progress]');
  if (!form || !window.FormData || !window.XMLHttpRequest || !window.fetch) return;
  var box = document.getElementById('import-progress');
  var bar = box.querySelector('progress');
  var text = box.querySelector('.progress-text');

  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + ' MB' : Math.ceil(bytes / 1024) + ' KB';
  }

  function token() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var values = new Uint32Array(4);
    crypto.getRandomValues(values);
    return Array.prototype.map.call(values, function (v) { return v.toString(16); }).join('-');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var id = token();
    var data = new FormData(form);
    data.set('progressToken', id);
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    box.hidden = false;
    var timer = null;

    function poll() {
      fetch('/api/v1/imports/progress/' + id, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (p) {
          if (!p) return;
          if (p.fraction !== null && p.fraction !== undefined) { bar.max = 1; bar.value = p.fraction; } else { bar.removeAttribute('value'); }
          var line = p.phaseLabel + '：已读取 ' + p.rows.toLocaleString('zh-CN') + ' 行，每秒 ' + p.rowsPerSecond.toLocaleString('zh-CN') + ' 行';
          if (p.secondsLeft !== null && p.secondsLeft !== undefined) line += '，预计还需 ' + p.secondsLeft + ' 秒';
          text.textContent = line;
        })
        .catch(function () {});
    }

    var request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.setRequestHeader('X-CSRF-Token', form.querySelector('input[name=_csrf]').value);
    request.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      text.textContent = '正在上传：' + size(e.loaded) + ' / ' + size(e.total);
    };
    request.upload.onload = function () {
      bar.removeAttribute('value');
      text.textContent = '上传完成，正在读取……';
      timer = setInterval(poll, 700);
    };
    request.onload = function () {
      clearInterval(timer);
      document.open();
      document.write(request.responseText);
      document.close();
    };
    request.onerror = function () {
      clearInterval(timer);
      button.disabled = false;
      text.textContent = '网络中断，文件没有上传成功，请重试。';
    };
    request.send(data);
  });
})();
