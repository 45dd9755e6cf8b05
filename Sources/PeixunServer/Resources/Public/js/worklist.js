// 批量核实 on the county worklist, a little more convenient with JavaScript: "select this page"
// ticks every row's box and a row's box keeps it in step; the question before sending counts
// the ticked rows. Without JavaScript the same form works: the server reads the ticked rows, or
// with "select this page" the rows the page showed.
(function () {
  var form = document.getElementById('bulk-verify');
  var page = document.getElementById('select-page');
  if (!form || !page) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][form="bulk-verify"]'));
  var question = form.dataset.confirm;
  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    page.checked = boxes.length > 0 && ticked === boxes.length;
    page.indeterminate = ticked > 0 && ticked < boxes.length;
    form.dataset.confirm = ticked > 0 ? question.replace('勾选的人员', '勾选的 ' + ticked + ' 人') : question;
  }
  page.addEventListener('change', function () {
    boxes.forEach(function (box) { box.checked = page.checked; });
    update();
  });
  boxes.forEach(function (box) { box.addEventListener('change', update); });
  update();
}());
