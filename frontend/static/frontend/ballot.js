// Keeps a ballot's running total up to date as boxes are ticked. Without it, the
// "Add up what I ticked" button asks the server for the same sum.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.ballot")) {
    const budget = Math.round(parseFloat(form.dataset.budget) * 100);
    const sum = form.querySelector(".ballot-sum");
    const over = form.querySelector(".ballot-over");
    const addUp = form.querySelector(".ballot-add-up");
    const dollars = (cents) =>
      "$" + (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const update = () => {
      let cents = 0;
      for (const box of form.querySelectorAll("input[name=approvals]:checked")) {
        cents += Math.round(parseFloat(box.dataset.amount) * 100);
      }
      sum.textContent = dollars(cents);
      over.hidden = cents <= budget;
    };
    if (addUp) addUp.hidden = true;
    form.addEventListener("change", update);
    update();
  }
});
