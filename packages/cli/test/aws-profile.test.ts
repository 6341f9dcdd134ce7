import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseProfileSource, missingProfile } from "../src/aws-profile.ts";

let env: NodeJS.ProcessEnv;
let configFile: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-aws-profile-"));
  configFile = path.join(dir, "config");
  await writeFile(configFile, "[profile audit]\nregion = eu-west-1\n");
  env = { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none") };
});

describe("a profile that does not exist", () => {
  it("is named with where it was given, and the hint says how to change it there", () => {
    const cases: [string | undefined, string | undefined, NodeJS.ProcessEnv, string, string][] = [
      ["nope", undefined, {}, "--profile", "or pass another --profile"],
      // A profile left in the shell: --profile is not what to change.
      [
        undefined,
        "audit",
        { AWS_PROFILE: "nope" },
        "AWS_PROFILE",
        "or set AWS_PROFILE to another profile (or unset it)",
      ],
      [
        undefined,
        "nope",
        {},
        "the configuration's profile",
        "or change the profile in the configuration",
      ],
    ];
    for (const [flag, configured, extra, from, hint] of cases) {
      const e = { ...env, ...extra };
      const chosen = chooseProfileSource(flag, configured, e);
      expect(chosen.profile).toBe("nope");
      const error = missingProfile(chosen.profile, e, chosen.source);
      expect(error?.message).toBe(`profile nope (${from}) not found in ${configFile}`);
      expect(error?.hint).toBe(
        `Add [profile nope] to ${configFile} (aws configure --profile nope), ${hint}.`,
      );
    }
    expect(missingProfile("audit", env, "--profile")).toBeUndefined();
  });
});
