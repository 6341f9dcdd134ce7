/**
 * The run form's window in the browser script: the mode the request sends follows the typing.
 * (linkedom has no `checked` state of its own: the property the script sets is what is read.)
 */
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { wireWindowMode } from "../src/scripts/run-form.ts";

function form() {
  const { document, Event } = parseHTML(`<!doctype html><html><body><form data-run-form="x">
    <input type="radio" name="rm-window-mode" value="since" checked />
    <input type="text" data-window="since" value="7d" />
    <input type="radio" name="rm-window-mode" value="range" />
    <input type="text" data-window="from" /><input type="text" data-window="to" />
  </form></body></html>`);
  const f = document.querySelector<HTMLFormElement>("form")!;
  const type = (name: string, value: string) => {
    const input = f.querySelector<HTMLInputElement>(`[data-window="${name}"]`)!;
    input.value = value;
    input.dispatchEvent(new Event("input"));
  };
  const checked = () =>
    [...f.querySelectorAll<HTMLInputElement>("input[name=rm-window-mode]")].find((r) => r.checked)
      ?.value;
  return { f, type, checked };
}

describe("the run form's window", () => {
  it("picks from/to when a date is typed there, and the last when a duration is", () => {
    const { f, type, checked } = form();
    wireWindowMode(f);
    type("from", "2026-11-01T00:00:00Z");
    expect(checked()).toBe("range");
    type("since", "30d");
    expect(checked()).toBe("since");
    type("to", "2026-11-02T00:00:00Z");
    expect(checked()).toBe("range");
  });
});
