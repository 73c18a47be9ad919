/* Comment phrases (审批意见常用语): choosing one writes it into the comment.
   Without this script the select is posted and the server adds the phrase. */
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("phrase");
  // The step's own comment field when its form has one, else the generic box.
  var target = list ? list.getAttribute("data-target") || "comment" : "comment";
  var comment = document.getElementById(target);
  if (!list || !comment) { return; }
  list.addEventListener("change", function () {
    var phrase = list.value;
    if (!phrase) { return; }
    if (comment.value.indexOf(phrase) === -1) {
      comment.value = comment.value ? comment.value + phrase : phrase;
    }
    list.value = "";
    comment.focus();
  });
});
