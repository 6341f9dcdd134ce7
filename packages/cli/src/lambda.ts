/**
 * The AWS Lambda handler (`run-md/lambda`): an EventBridge rule (see `run-md rules`) invokes it
 * with the event; it runs the runbooks the event starts, publishes their reports to S3 and sends
 * the escalations. Configuration comes from the environment (docs/automation.md).
 */
import { type HandlerResult, handleEvent } from "./automation/handler.ts";

export type { HandlerResult };

export async function handler(event: unknown): Promise<HandlerResult> {
  return handleEvent(event);
}
