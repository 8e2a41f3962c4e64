/** Shared pieces of every page: headings, sections, labelled fields, scrollable tables, confirmations, formatting. */
import { type ComponentChildren, cloneElement, type VNode } from "preact";
import { useId, useRef } from "preact/hooks";

/** A page: its heading (focused when the page opens, for keyboard and screen-reader users) and its content. */
export function Page({ title, children, lead }: { title: ComponentChildren; children: ComponentChildren; lead?: ComponentChildren }) {
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{title}</h1>
        {lead}
      </div>
      {children}
    </>
  );
}

/** A titled part of a page (a landmark named by its heading). */
export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const id = useId();
  return (
    <section class="card" aria-labelledby={id}>
      <div class="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/**
 * A control (the one child) with its visible label, tied to it by id,
 * and a hint below that describes it (aria-describedby).
 */
export function Field({ label, children, hint, wide }: { label: string; children: VNode<any>; hint?: string; wide?: boolean }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class={wide ? "field wide" : "field"}>
      <label class="field-label" for={id}>
        {label}
      </label>
      {cloneElement(children, { id, "aria-describedby": hint === undefined ? undefined : hintId })}
      {hint === undefined ? null : (
        <span class="field-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** A table that scrolls sideways on narrow screens (focusable, so the keyboard can scroll it). */
export function Table({ label, head, children }: { label: string; head: ComponentChildren[]; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
    // biome-ignore lint/a11y/useSemanticElements: a scroll box, not a section of the document
    <div class="scroll" tabIndex={0} role="region" aria-label={label}>
      <table>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A polite live region for what an action did ("Created topic …"). */
export function Done({ text }: { text: string | null }) {
  return (
    <p class="done" role="status">
      {text ?? ""}
    </p>
  );
}

/**
 * A button that asks before a destructive action, in a modal dialog:
 * Escape or Cancel (focused first) backs out, and focus returns to the button.
 */
export function ConfirmButton(props: { label: string; ariaLabel?: string; title: string; question: ComponentChildren; confirm: string; onConfirm: () => void; disabled?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = () => dialog.current?.close();
  return (
    <>
      <button type="button" class="danger" disabled={props.disabled} aria-label={props.ariaLabel} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.title}>
        <h2>{props.title}</h2>
        <p>{props.question}</p>
        <div class="row">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => {
              close();
              props.onConfirm();
            }}
          >
            {props.confirm}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** Epoch ms as local date and time with milliseconds. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A number with thousands separators; "–" for none. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US");
}

/** A rate per second, short ("1.2k/s"). */
export function formatRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M/s`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k/s`;
  return `${n >= 100 ? Math.round(n) : n.toFixed(1)}/s`;
}

/** A form's submit handler that never lets the browser submit (the page stays; CSP allows no form action). */
export function onSubmit(handler: () => void) {
  return (e: Event) => {
    e.preventDefault();
    handler();
  };
}
