import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IDependable } from 'constructs';
import type { LogLevel } from '../../functions/pipeline/topology.js';
import {
  dlqName,
  type EnvName,
  type FunctionSizing,
  type QueueDefinition,
  visibilityTimeoutSeconds,
} from '../../functions/pipeline/topology.js';
import { acknowledge } from '../nag.js';
import { serviceKeyStatement } from './statements.js';

// A function fed by an SQS queue, in two halves so the code can be redeployed or destroyed on its own:
// QueueFedFunctionState (data stack) holds what outlives the code and what its policy must name;
// QueueFedFunction (stateless stack) is the code and its event source mapping.

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface QueueFedFunctionStateProps {
  /** The queue: name, receive limit, visibility factor, DLQ retention (topology QUEUES). */
  readonly queue: QueueDefinition;
  /** The consuming function's sizing: the visibility timeout is a multiple of its timeout. */
  readonly consumer: FunctionSizing;
  /** Encrypts the queue and its dead-letter queue. */
  readonly queueKey: kms.IKey;
  /** Name of the function's log group. */
  readonly logGroupName: string;
  /** Encrypts the log group: function logs may quote claim fields on errors. */
  readonly logKey: kms.IKey;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR (incident review)
   */
  readonly logRetention?: logs.RetentionDays;
  /** Description of the function's execution role. */
  readonly roleDescription: string;
}

/**
 * The stateful half of a queue-fed function: its queue and dead-letter queue (messages waiting survive a
 * redeploy of the code), its log group (retained), and its execution role (so the least-privilege policy,
 * kept beside the data it grants, can name it). Permissions are added by a policy on `role`.
 */
export class QueueFedFunctionState extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  private readonly queueKey: kms.IKey;

  constructor(scope: Construct, id: string, props: QueueFedFunctionStateProps) {
    super(scope, id);
    this.queueKey = props.queueKey;
    const encryption = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
    } as const;
    this.deadLetterQueue = new sqs.Queue(this, dlqName(props.queue), {
      ...encryption,
      retentionPeriod: Duration.days(props.queue.dlqRetentionDays),
    });
    this.queue = new sqs.Queue(this, props.queue.name, {
      ...encryption,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(props.queue, props.consumer)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.queue.maxReceiveCount },
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription,
    });
  }

  /** What every queue-fed function needs: write its logs, consume and decrypt its queue. */
  baseStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ConsumeQueue',
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        resources: [this.queue.queueArn],
      }),
      serviceKeyStatement('ConsumeQueueEncrypted', this.queueKey, ['kms:Decrypt'], 'sqs'),
    ];
  }
}

export interface QueueFedFunctionProps {
  /** Queue, log group and role the function runs with. */
  readonly state: QueueFedFunctionState;
  /**
   * The policy that holds the role's permissions: the event source mapping is validated against them
   * when it is created, so the function waits for it.
   */
  readonly permissions: IDependable;
  /** Handler file; its export `handler` is the entry point. */
  readonly entry: string;
  readonly description: string;
  /** Memory, timeout, reserved concurrency and batch size (topology FUNCTIONS). */
  readonly sizing: FunctionSizing;
  /** Exactly the variables the handler reads (topology `environmentOf`); unset ones are left out. */
  readonly environment: Partial<Record<EnvName, string>>;
  /** Application log level, passed to Lambda's log filtering. */
  readonly logLevel: LogLevel;
  /**
   * Lambda runtime.
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
}

/** Local esbuild, ESM, minified with source maps, the AWS SDK bundled (the version tested is the one deployed). */
const BUNDLING: NodejsFunctionProps['bundling'] = {
  // Local esbuild from node_modules, never Docker.
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  externalModules: [],
  // CommonJS dependencies bundled into ESM still call require().
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};

/** The stateless half: the function (arm64, JSON logs) and the event source mapping from its queue. */
export class QueueFedFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: QueueFedFunctionProps) {
    super(scope, id);
    const { state, sizing } = props;
    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: sizing.memoryMb,
      ...(sizing.ephemeralStorageMb
        ? { ephemeralStorageSize: Size.mebibytes(sizing.ephemeralStorageMb) }
        : {}),
      timeout: Duration.seconds(sizing.timeoutSeconds),
      reservedConcurrentExecutions: sizing.reservedConcurrency,
      // Immutable: the grants CDK adds implicitly (SqsEventSource) would otherwise create an inline
      // policy; the managed policy already holds them, and the tests pin its statements.
      role: state.role.withoutPolicyUpdates(),
      logGroup: state.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: { ...definedValues(props.environment), NODE_OPTIONS: '--enable-source-maps' },
      bundling: BUNDLING,
    });
    this.function.node.addDependency(props.permissions);
    this.function.addEventSource(
      new SqsEventSource(state.queue, {
        batchSize: sizing.batchSize,
        reportBatchItemFailures: true,
        // Never poll faster than the reserved concurrency can run: throttled batches burn receives.
        maxConcurrency: sizing.reservedConcurrency,
      }),
    );
    acknowledge(
      this.function,
      'HIPAA.Security-LambdaDLQ',
      'Invoked only by its SQS event source mapping (synchronously); failed messages go to the queue DLQ, ' +
        'which is alarmed. A function DLQ applies to asynchronous invocations and would never receive anything.',
    );
    acknowledge(
      this.function,
      'HIPAA.Security-LambdaInsideVPC',
      'The function reaches only S3, SQS, SNS, DynamoDB and KMS through their TLS-only public endpoints under ' +
        'IAM; it has no private network resources to reach. A VPC would add NAT or endpoints without ' +
        'narrowing access.',
    );
  }
}

function definedValues(variables: Partial<Record<string, string>>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) if (value !== undefined) defined[name] = value;
  return defined;
}
