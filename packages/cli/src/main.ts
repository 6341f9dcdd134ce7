export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`run-md: not yet implemented (${argv.join(" ")})\n`);
  return 0;
}
