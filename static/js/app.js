// Progressive enhancement: GOV.UK Frontend components, the CSRF header for htmx, and the board's
// drag and drop (Sortable) and keyboard moves. Every move is also possible with the plain form.
import { initAll } from "../govuk/govuk-frontend.min.js";

const status = () => document.getElementById("board-status");

function announce(message) {
  const region = status();
  if (!region) return;
  region.textContent = "";
  // A fresh text node makes screen readers read the message even when it repeats.
  window.setTimeout(() => { region.textContent = message; }, 50);
}

function filterQuery() {
  const board = document.getElementById("board");
  return board ? board.dataset.filterQs || "" : "";
}

/** Send a move; the server answers with the lane re-rendered (or the current state on a conflict). */
function sendMove(card, column, after, fromKeyboard) {
  const lane = card.closest(".app-lane");
  window.__boardFocus = fromKeyboard ? card.id : null;
  window.htmx.ajax("POST", card.dataset.moveUrl + filterQuery(), {
    source: card,
    target: "#" + lane.id,
    swap: "outerHTML",
    values: { column: column, version: card.dataset.version, after: after === null ? "" : String(after) },
  });
}

function cardsIn(list) {
  return Array.from(list.querySelectorAll(":scope > .app-card"));
}

function initSortable(root) {
  if (!window.Sortable) return;
  root.querySelectorAll(".app-lane").forEach((lane) => {
    lane.querySelectorAll(".app-column__cards").forEach((list) => {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      if (!list.querySelector("[data-move-url]") && !lane.querySelector("[data-move-url]")) return;
      window.Sortable.create(list, {
        group: lane.id,
        animation: 150,
        filter: "select, button, label, input",
        preventOnFilter: false,
        onEnd(event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          const card = event.item;
          const previous = card.previousElementSibling;
          sendMove(card, event.to.dataset.column, previous ? Number(previous.dataset.cardId) : 0, false);
        },
      });
    });
  });
}

function onKeydown(event) {
  const card = event.target;
  if (!card.classList || !card.classList.contains("app-card") || !card.dataset.moveUrl) return;
  const list = card.parentElement;
  const column = list.closest(".app-column");
  const columns = Array.from(card.closest(".app-lane__columns").querySelectorAll(".app-column"));
  const index = columns.indexOf(column);
  const siblings = cardsIn(list);
  const position = siblings.indexOf(card);
  let target = null;
  let after = null;
  switch (event.key) {
    case "ArrowRight":
    case "ArrowLeft": {
      const next = columns[index + (event.key === "ArrowRight" ? 1 : -1)];
      if (!next) { announce(card.querySelector("a").textContent + ": " + column.querySelector("h3").textContent); return; }
      target = next.querySelector(".app-column__cards").dataset.column;
      after = null; // bottom of the next column
      break;
    }
    case "ArrowUp":
      if (position === 0) return;
      target = list.dataset.column;
      after = position >= 2 ? Number(siblings[position - 2].dataset.cardId) : 0;
      break;
    case "ArrowDown":
      if (position === siblings.length - 1) return;
      target = list.dataset.column;
      after = Number(siblings[position + 1].dataset.cardId);
      break;
    default:
      return;
  }
  event.preventDefault();
  card.classList.add("app-card--moving");
  sendMove(card, target, after, true);
}

document.addEventListener("keydown", onKeydown);

// A card's "Move" button opens (and closes) its move form; the form's column choice gets the focus.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest && event.target.closest(".app-card__move-toggle");
  if (!toggle) return;
  const card = toggle.closest(".app-card");
  const open = !card.classList.contains("app-card--move-open");
  card.classList.toggle("app-card--move-open", open);
  toggle.setAttribute("aria-expanded", String(open));
  if (open) card.querySelector(".app-card__select").focus();
});

document.addEventListener("DOMContentLoaded", () => {
  initAll();
  initSortable(document);
});

// A card's own "Move to" form is posted by htmx as well; the lane is redrawn, so focus goes back to the card.
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (form && form.classList && form.classList.contains("app-card__move")) {
    const card = form.closest(".app-card");
    if (card) window.__boardFocus = card.id;
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  initSortable(document);
  // Filtering redraws the whole board: say how many cards now match. The board was swapped outerHTML,
  // so the event's target is the old board, gone from the page: read the summary of the new one.
  if (event.detail.target && event.detail.target.id === "board") {
    const summary = document.querySelector("#board .app-board__count");
    if (summary) announce(summary.textContent.trim().replace(/\s+/g, " "));
  }
  if (window.__boardFocus) {
    const card = document.getElementById(window.__boardFocus);
    if (card) card.focus();
    window.__boardFocus = null;
  }
});

// The server names the outcome of a move in an HX-Trigger header; say it to screen-reader users, and show
// a refused move's reason on the page (the card is back where it really is, which alone says nothing).
document.addEventListener("board-moved", (event) => {
  announce(event.detail.message);
  const notice = document.getElementById("board-notice");
  if (notice) {
    notice.textContent = event.detail.error ? event.detail.message : "";
    notice.hidden = !event.detail.error;
  }
});

// A failed request (network, 4xx, 5xx) must never leave the board showing a move that did not happen.
document.addEventListener("htmx:responseError", () => {
  announce(document.body.dataset.textFailed);
  window.setTimeout(() => window.location.reload(), 1500);
});
