/**
 * Where a configuration section's values were written, for the messages of the readers of
 * `access:`, `server:` and `notify:`: the file's name, or (the CLI's, from the YAML it parsed)
 * the file with a function that places a key path (`access.rules[0].allow[1]`) at its line.
 */
export type ConfigSource = string | { file: string; at: (keyPath: string) => string };

/** `file:line:column` of the key path when the source places it, else the file. */
export function sourceAt(source: ConfigSource, keyPath: string): string {
  return typeof source === "string" ? source : source.at(keyPath);
}

/**
 * Whether a configured address is an http(s) URL with a host (`https://hooks.example.com/x`):
 * the one test of `site.url`, `server.publicUrl`, `server.auth.issuer` and the `notify:` targets'
 * addresses.
 */
export function isHttpUrl(value: string): boolean {
  return /^https?:\/\/[^\s/]+/.test(value);
}
