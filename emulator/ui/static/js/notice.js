// One line under the header for what just happened, or what went wrong (the server's own message).

let hideTimer = null;

export function notify(what, level) {
  const el = document.getElementById("notice");
  const isError = what instanceof Error;
  el.textContent = isError ? what.message : String(what);
  el.className = `notice ${level || (isError ? "error" : "info")}`;
  el.hidden = false;
  if (hideTimer) clearTimeout(hideTimer);
  hideTimer = setTimeout(() => { el.hidden = true; }, isError ? 8000 : 3000);
}
