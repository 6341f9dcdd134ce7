/** Command-line helpers shared by the commands. */

/** A `node:util` parseArgs error as one short sentence: `unknown option "--x" for run-md check`. */
export function usageError(e: unknown, command: string): string {
  const error = e as Error & { code?: string };
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option "${option}" for ${command} (see ${command} --help)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return `${option === undefined ? "an option" : `option "${option}"`} of ${command}: ${error.message.replace(/^Option '[^']*' /, "")}`;
    default:
      return error.message;
  }
}
