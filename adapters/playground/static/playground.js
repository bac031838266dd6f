// The playground page: shows one person's conversation and sends what they do to the bot.
// It holds no workflow rule: every card and form comes rendered from the server.
"use strict";

const who = document.getElementById("who");
const conversation = document.getElementById("conversation");

async function call(path, body) {
  const response = await fetch(path, {
    method: body ? "POST" : "GET",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

async function load() {
  const data = await call(`/playground/conversation?as=${encodeURIComponent(who.value)}`);
  document.getElementById("now").textContent = data.now;
  conversation.innerHTML = data.entries
    .map((e) => `<li class="${e.mine ? "mine" : "bot"}" data-id="${e.id}">${e.html}</li>`)
    .join("");
  const last = conversation.lastElementChild;
  if (last) last.scrollIntoView({ block: "nearest" });
}

function valuesOf(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    if (element.type === "checkbox") values[element.name] = element.checked ? "true" : "false";
    else values[element.name] = element.value;
  }
  return values;
}

function showErrors(form, errors) {
  for (const slot of form.querySelectorAll(".error")) slot.textContent = "";
  for (const [field, message] of Object.entries(errors)) {
    const slot = form.querySelector(`.error[data-for="${field}"]`) || form.querySelector('.error[data-for=""]');
    slot.textContent = message;
  }
  const first = form.querySelector(".error:not(:empty)");
  const control = first && first.parentElement.querySelector("input, select, textarea");
  (control || first).focus?.();
}

async function act(action, value, values, form) {
  const result = await call("/playground/act", { as: who.value, action, value, values });
  if (result.errors) return showErrors(form, result.errors);
  await load();
}

conversation.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (button) act(button.dataset.action, button.dataset.value || "", {}, button.closest("article"));
  const copy = event.target.closest("button.copy");
  if (copy) navigator.clipboard?.writeText(copy.previousElementSibling.textContent);
});

conversation.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  act(form.dataset.action, form.dataset.value || "", valuesOf(form), form);
});

document.getElementById("say").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("message");
  await call("/playground/say", { as: who.value, text: input.value });
  input.value = "";
  await load();
});

for (const button of document.querySelectorAll(".clock button")) {
  button.addEventListener("click", async () => {
    await call("/playground/clock", { days: Number(button.dataset.days) });
    await load();
  });
}

who.addEventListener("change", load);

(async () => {
  const people = await call("/playground/people");
  who.innerHTML = people.map((p) => `<option value="${p.email}">${p.label.replace(/</g, "&lt;")}</option>`).join("");
  await load();
})();
