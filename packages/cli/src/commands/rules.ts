/** `run-md rules --format cloudformation`: the EventBridge rules the runbooks' triggers need. */

import { isRunMdError, printableJson } from "@run-md/core";
import { configuredRunbooksDir, parseCommandArgs } from "../args.ts";
import { cloudFormationTemplate } from "../automation/rules.ts";
import { loadRunbooks } from "../automation/trigger-run.ts";
import { loadConfig, tableConfig } from "../config.ts";
import { docRefs, version } from "../package-files.ts";

export const RULES_USAGE = `Usage: run-md rules [file|dir]... --format cloudformation

Prints a CloudFormation template (JSON, which CloudFormation and SAM read as they read YAML) with
one EventBridge rule per trigger of the runbooks (default: runbooksDir, runbooks/), each targeting
the run-md Lambda function, and the permission for EventBridge to invoke it. Deploy it with
  aws cloudformation deploy --template-file rules.json --stack-name run-md-rules \\
    --parameter-overrides RunMdFunctionArn=arn:aws:lambda:...:function:run-md

Options:
  --format cloudformation   the output format (the only one)
  --config <file>           configuration file (default: RUN_MD_CONFIG, else run-md.config.yaml
                            here or in the nearest folder above): its runbooksDir
  -h, --help                this help
`;

export async function rulesCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md rules", RULES_USAGE, {
    format: { type: "string" },
    config: { type: "string" },
  });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  if (values.format !== "cloudformation") {
    process.stderr.write(
      `error ${values.format === undefined ? "--format is required" : `unknown format "${values.format}"`}: use --format cloudformation\n`,
    );
    return 2;
  }
  try {
    const config = loadConfig(values.config);
    const paths = positionals.length > 0 ? positionals : [configuredRunbooksDir(config)];
    const runbooks = await loadRunbooks(paths, tableConfig(config));
    const template = cloudFormationTemplate(runbooks, { toolVersion: version() });
    if (Object.keys(template.Resources).length === 0) {
      process.stderr.write("warning: no runbook has triggers: the template has no rules\n");
    }
    process.stdout.write(`${printableJson(template, 2)}\n`);
    return 0;
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    process.stderr.write(`error ${e.message}\n${e.hint ? `hint: ${docRefs(e.hint)}\n` : ""}`);
    return 2;
  }
}
