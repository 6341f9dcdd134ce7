/**
 * The run form's behaviour in the browser (RunForm.astro builds its markup). It stays hidden
 * unless `run-md serve` answers `/api/me` and lists `run` among the caller's actions on the
 * runbook; without `run:params` the inputs are read-only and the request names the runbook only.
 */
import { liveRunUrl } from "../lib/paths.ts";
import {
  buildRunRequest,
  type FieldSpec,
  type FieldValue,
  fieldOfError,
  type WindowValue,
} from "../lib/run-form.ts";
import { getMe, getRunbookAccess, messageOf, postJson } from "./api.ts";

/** Shows each run form of the page the caller may use, and wires its submission. */
export async function initRunForms(doc: Document): Promise<void> {
  const forms = [...doc.querySelectorAll<HTMLFormElement>("form[data-run-form]")];
  if (forms.length === 0 || !(await getMe())) return;
  const access = await getRunbookAccess();
  for (const form of forms) {
    const actions = access?.find((r) => r.id === form.dataset.runForm)?.actions ?? [];
    if (!actions.includes("run")) continue;
    const canParams = actions.includes("run:params");
    if (!canParams) makeReadOnly(form);
    else wireWindowMode(form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void submit(form, canParams);
    });
    form.hidden = false;
  }
}

/** Inputs show their defaults and cannot change (a select or checkbox has no read-only state). */
function makeReadOnly(form: HTMLFormElement): void {
  for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
    "[data-param], [data-window], input[type=radio]",
  )) {
    if (input instanceof HTMLInputElement && (input.type === "text" || input.type === "number")) {
      input.readOnly = true;
    } else {
      input.disabled = true;
    }
  }
  form.querySelector<HTMLElement>("[data-run-readonly]")!.hidden = false;
  form.dataset.readonly = "";
}

/**
 * Typing in a window field picks its mode: the request sends the mode that is checked, so dates
 * typed under *from* / *to* with *the last* still checked ran the runbook's own window instead.
 */
export function wireWindowMode(form: HTMLFormElement): void {
  for (const input of form.querySelectorAll<HTMLInputElement>("[data-window]")) {
    const mode = input.dataset.window === "since" ? "since" : "range";
    input.addEventListener("input", () => {
      for (const radio of form.querySelectorAll<HTMLInputElement>("input[name=rm-window-mode]"))
        radio.checked = radio.value === mode;
    });
  }
}

function fieldsOf(form: HTMLFormElement): { spec: FieldSpec; value: FieldValue }[] {
  return [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-param]")].map(
    (input) => ({
      spec: JSON.parse(input.dataset.spec ?? "{}") as FieldSpec,
      value:
        input instanceof HTMLInputElement && input.type === "checkbox"
          ? input.checked
          : input.value,
    }),
  );
}

function windowOf(form: HTMLFormElement): WindowValue {
  const value = (name: string) =>
    form.querySelector<HTMLInputElement>(`[data-window="${name}"]`)?.value ?? "";
  const mode = form.querySelector<HTMLInputElement>("input[name=rm-window-mode]:checked")?.value;
  return {
    mode: mode === "range" ? "range" : "since",
    since: value("since"),
    from: value("from"),
    to: value("to"),
  };
}

async function submit(form: HTMLFormElement, canParams: boolean): Promise<void> {
  clearErrors(form);
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const fields = fieldsOf(form);
  const body = buildRunRequest(
    form.dataset.runForm ?? "",
    fields,
    windowOf(form),
    form.dataset.defaultSince ?? "",
    canParams,
  );
  button.disabled = true;
  const r = await postJson<{ id: string; status: string }>("/api/runs", body);
  button.disabled = false;
  if (r.ok) {
    location.assign(liveRunUrl(r.value.id));
    return;
  }
  const names = fields.map((f) => f.spec.name);
  showError(form, fieldOfError(r.body, names) ?? "", messageOf(r.status, r.body));
}

/** The message next to the field it names (its input marked invalid), or under the form. */
function showError(form: HTMLFormElement, field: string, message: string): void {
  const slot = [...form.querySelectorAll<HTMLElement>("[data-error-for]")].find(
    (e) => e.dataset.errorFor === field,
  );
  if (!slot) {
    if (field !== "") showError(form, "", message);
    return;
  }
  slot.textContent = message;
  slot.hidden = false;
  const input = form.querySelector<HTMLElement>(
    `[data-param="${CSS.escape(field)}"], [data-window="${CSS.escape(field)}"]`,
  );
  input?.setAttribute("aria-invalid", "true");
  input?.focus();
}

function clearErrors(form: HTMLFormElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>("[data-error-for]")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll("[aria-invalid]"))
    input.removeAttribute("aria-invalid");
}
