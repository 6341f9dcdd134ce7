/**
 * AWS conventions, as the AWS CLI follows them: which profile and which region a run uses, and
 * whether the profile exists in the shared files (docs/configuration.md, "AWS region and
 * profile").
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RunMdError } from "@run-md/core";

/** The shared config file: `AWS_CONFIG_FILE`, else `~/.aws/config`. */
export function awsConfigFile(env = process.env): string {
  return env.AWS_CONFIG_FILE || path.join(os.homedir(), ".aws", "config");
}

/** The shared credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
export function awsCredentialsFile(env = process.env): string {
  return env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), ".aws", "credentials");
}

/**
 * The sections of an INI file by profile name, with their `key = value` settings. In the config
 * file a profile is `[profile NAME]` (`[default]` for the default); in the credentials file `[NAME]`.
 */
export function readProfiles(
  file: string,
  kind: "config" | "credentials",
): Map<string, Record<string, string>> {
  const profiles = new Map<string, Record<string, string>>();
  if (!existsSync(file)) return profiles;
  let current: Record<string, string> | undefined;
  for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, "");
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line)?.[1];
    if (section !== undefined) {
      const name =
        kind === "credentials" || section === "default"
          ? section
          : /^profile\s+(.+)$/.exec(section)?.[1]?.trim();
      current = name === undefined ? undefined : (profiles.get(name) ?? {});
      if (name !== undefined && current !== undefined) profiles.set(name, current);
      continue;
    }
    const eq = line.indexOf("=");
    // Nested settings (`s3 =` then indented keys) are not needed here; only top-level keys.
    if (current !== undefined && eq > 0 && !/^\s/.test(raw)) {
      current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
  }
  return profiles;
}

/** `~/.aws/config` rather than `/home/me/.aws/config`, as people write it. */
function tilde(file: string): string {
  const home = os.homedir();
  return file.startsWith(`${home}${path.sep}`) ? `~${file.slice(home.length)}` : file;
}

/** Where a run's profile was given, as its messages name it. */
export type ProfileSource = "--profile" | "AWS_PROFILE" | "the configuration's profile";

/** The profile a run uses: `--profile`, then `AWS_PROFILE`, then the configuration's. */
export function chooseProfile(
  flag: string | undefined,
  configured: string | undefined,
  env = process.env,
): string | undefined {
  return chooseProfileSource(flag, configured, env).profile;
}

/** `chooseProfile`'s profile and where it was given (none for no profile). */
export function chooseProfileSource(
  flag: string | undefined,
  configured: string | undefined,
  env = process.env,
): { profile?: string; source?: ProfileSource } {
  if (flag !== undefined) return { profile: flag, source: "--profile" };
  if (env.AWS_PROFILE) return { profile: env.AWS_PROFILE, source: "AWS_PROFILE" };
  if (configured !== undefined)
    return { profile: configured, source: "the configuration's profile" };
  return {};
}

/** How to choose another profile where `source` gave this one. */
const OTHER_PROFILE: Record<ProfileSource, string> = {
  "--profile": "or pass another --profile",
  AWS_PROFILE: "or set AWS_PROFILE to another profile (or unset it)",
  "the configuration's profile": "or change the profile in the configuration",
};

/**
 * The error for a named profile that is in neither shared file: "profile NAME (AWS_PROFILE) not
 * found in ~/.aws/config", with where it was given (`source`) and how to change it there. `default` may be absent (the SDK then uses the environment's credentials).
 */
export function missingProfile(
  profile: string | undefined,
  env = process.env,
  source: ProfileSource = "--profile",
): RunMdError | undefined {
  if (profile === undefined || profile === "default") return undefined;
  const config = awsConfigFile(env);
  if (readProfiles(config, "config").has(profile)) return undefined;
  if (readProfiles(awsCredentialsFile(env), "credentials").has(profile)) return undefined;
  const message = `profile ${profile} (${source}) not found in ${tilde(config)}`;
  return new RunMdError("aws-profile", message, {
    hint: `Add [profile ${profile}] to ${tilde(config)} (aws configure --profile ${profile}), ${OTHER_PROFILE[source]}.`,
  });
}

/**
 * The region, first match wins, like the AWS CLI: `--region`, then `AWS_REGION`, then
 * `AWS_DEFAULT_REGION`, then the configuration file (`athena.region`, `logs.region`), then the
 * profile's `region` in the shared config file. Undefined when none says.
 */
export function chooseRegion(
  flag: string | undefined,
  configured: string | undefined,
  profile: string | undefined,
  env = process.env,
): string | undefined {
  return (
    flag ??
    (env.AWS_REGION || undefined) ??
    (env.AWS_DEFAULT_REGION || undefined) ??
    configured ??
    readProfiles(awsConfigFile(env), "config").get(profile ?? "default")?.region
  );
}
