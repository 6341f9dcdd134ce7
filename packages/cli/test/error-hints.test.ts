/**
 * The error catalogue's hints (core's ERROR_CODES, docs/errors.md) name commands to type: each
 * `run-md <command>` they name is one the CLI has (a hint once sent users to `run-md show`).
 */
import { ERROR_CODES } from "@run-md/core";
import { expect, it } from "vitest";
import { COMMAND_NAMES } from "../src/main.ts";

it("every command a hint names exists", () => {
  const named = Object.entries(ERROR_CODES).flatMap(([code, info]) =>
    [...info.hint.matchAll(/\brun-md ([a-z][a-z-]*)/g)]
      .map((m) => [code, m[1]!] as const)
      // Prose about the tool ("run-md knows", "the run-md process"), not a command to type.
      .filter(([, word]) => !["knows", "runs", "process"].includes(word)),
  );
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter(([, command]) => !COMMAND_NAMES.includes(command))).toEqual([]);
});
