// 登录即将过期的提醒. The server's session expiry is the truth: the page carries the seconds
// left (data-session-expires-in on <body>); before warning, the status endpoint is asked again
// (another tab may have used the session; asking does not extend it). 保持登录 posts to the
// keep-alive endpoint, which does. Without JavaScript nothing is shown and nothing changes.
(function () {
  var body = document.body;
  if (!body || !body.dataset.sessionExpiresIn || !window.fetch) { return; }
  var warnBefore = parseInt(body.dataset.sessionWarnBefore, 10) || 300;
  var deadline = 0, timer = 0, ticker = 0, box = null;

  function schedule(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, (secondsLeft - warnBefore) * 1000));
  }

  function check() {
    fetch(body.dataset.sessionStatus, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!status.signedIn) { expired(); return; }
        if (status.expiresIn > warnBefore + 5) { schedule(status.expiresIn); hide(); return; }
        deadline = Date.now() + status.expiresIn * 1000;
        show();
      })
      .catch(function () { show(); });
  }

  function build() {
    box = document.createElement('div');
    box.className = 'session-warning';
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-live', 'assertive');
    var text = document.createElement('p');
    text.className = 'session-warning-text';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'session-keep';
    button.textContent = '保持登录';
    button.addEventListener('click', keepAlive);
    box.appendChild(text);
    box.appendChild(button);
    body.appendChild(box);
  }

  function show() {
    if (!box) { build(); }
    box.hidden = false;
    box.querySelector('button').hidden = false;
    clearInterval(ticker);
    tick();
    ticker = setInterval(tick, 1000);
  }

  function hide() {
    clearInterval(ticker);
    if (box) { box.hidden = true; }
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left === 0) { expired(); return; }
    var minutes = Math.floor(left / 60), seconds = left % 60;
    box.querySelector('.session-warning-text').textContent =
      '您已较长时间没有操作，登录将在 ' + (minutes > 0 ? minutes + ' 分 ' : '') + seconds + ' 秒后过期，未提交的内容会丢失。';
  }

  function expired() {
    clearInterval(ticker);
    clearTimeout(timer);
    if (!box) { build(); }
    box.hidden = false;
    box.querySelector('.session-warning-text').textContent = '登录已过期。请先复制未提交的内容，再刷新页面重新登录。';
    box.querySelector('button').hidden = true;
  }

  function keepAlive() {
    fetch(body.dataset.keepAlive, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': body.dataset.csrf || '' }
    })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (status) { hide(); schedule(status.expiresIn); })
      .catch(expired);
  }

  // For the browser tests: show the warning now, as if the time had come.
  window.peixunSessionWarning = { check: check, show: show };
  schedule(parseInt(body.dataset.sessionExpiresIn, 10) || 0);
})();
