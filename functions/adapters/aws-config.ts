/**
 * The settings every AWS client of a command gets from --endpoint, --region and --profile: a deployed
 * service through the standard credential chain (a profile, e.g. one signed in with SSO, or the
 * environment), or an endpoint (an emulator such as moto_server), which takes any key.
 */

/** Where AWS is: the standard chain and its region, or an endpoint. */
export interface AwsTarget {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** An endpoint's region when none is given: emulators take any. */
export const ENDPOINT_REGION = 'us-east-1';

export interface AwsClientSettings {
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Client settings for `target`. Without a region the SDK finds one (AWS_REGION, the profile); an
 * endpoint gets placeholder keys unless the environment or a profile names real ones.
 */
export function awsClientSettings(target: AwsTarget): AwsClientSettings {
  const region = target.region ?? (target.endpoint !== undefined ? ENDPOINT_REGION : undefined);
  const placeholderKeys =
    target.endpoint !== undefined && target.profile === undefined && !process.env.AWS_ACCESS_KEY_ID;
  return {
    ...(region !== undefined ? { region } : {}),
    ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
    ...(target.profile !== undefined ? { profile: target.profile } : {}),
    ...(placeholderKeys ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
}

/** The SDK warns on every run that its 2027 releases will need Node 22; Node 20 is supported here. */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
