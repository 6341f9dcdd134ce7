/**
 * The AWS Lambda handler (`run-md/lambda`): an EventBridge rule (see `run-md rules`) invokes it
 * with the event; it runs the runbooks the event starts, publishes their reports to S3 and sends
 * the escalations. Configuration comes from the environment (docs/automation.md).
 */
import { type HandlerResult, handleEvent } from "./automation/handler.ts";

export type { HandlerResult };

/**
 * The Lambda context's request id is the claimant of the alerts: an asynchronous invocation
 * Lambda runs again after a failure keeps it (HandlerOptions.claimant).
 */
export async function handler(
  event: unknown,
  context?: { awsRequestId?: string },
): Promise<HandlerResult> {
  const claimant = context?.awsRequestId;
  return handleEvent(event, claimant ? { claimant: `lambda:${claimant}` } : {});
}
