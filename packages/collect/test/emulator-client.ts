/** The S3 client configuration of the project's emulator (path-style, its fixed credentials). */
export function emulatorClient(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIDLOCALEMULATOR", secretAccessKey: "local-emulator-secret" },
  };
}
