import { z } from 'zod';
import { age, duration } from './duration-schema.js';
import { inUseSchema } from './in-use-schema.js';
import { isRecord } from './record.js';
import { characterProblem, repositoryNameProblem, repositoryPatternCharacters } from './repository-name.js';
import { globList, tagMatcher } from './tag-matcher-schema.js';

/**
 * A repository name such as `kayron` or `team/api`, or a glob over names such as `team-*` or `**`
 * (all): its characters (the regex, also the JSON Schema's pattern), then the OCI grammar of names.
 */
const repositoryPattern = z
  .string()
  .regex(repositoryPatternCharacters, { error: (issue) => characterProblem(String(issue.input)) })
  .superRefine((entry, context) => {
    if (!repositoryPatternCharacters.test(entry)) return;
    const problem = repositoryNameProblem(entry);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

const shareMessage = 'must be a share above 0 and at most 1 (0.5 is half the repository), or off';

export const ruleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._,-]+$/, {
        message: 'may hold letters, digits, `.`, `_`, `,` and `-` only: it names handlers such as kayron:sha',
      })
      .optional(),
    repositories: z
      .array(repositoryPattern)
      .min(1, { message: 'must name at least one repository' })
      .describe('Repository names or globs (team-*/*, ** for every repository).'),
    /** Globs of repositories the rule leaves alone, among those `repositories` matches. */
    excludeRepositories: z
      .array(repositoryPattern)
      .optional()
      .describe('Globs of repositories to leave alone.'),
    tags: tagMatcher
      .optional()
      .describe('sha (commit hashes), tag (v…), a list of prefixes, or { prefixes, globs, regex, exclude }.'),
    /** Keep conditions: they add to the newest `keep`, they never take away from it. */
    keepYoungerThan: age.optional().describe('Never delete an image younger than this (e.g. 14d).'),
    keepPulledWithin: age
      .optional()
      .describe('Never delete an image pulled within this (ECR only, e.g. 30d).'),
    protect: globList
      .optional()
      .describe('Tags (or globs) an image carrying one is never deleted for: latest, prod.'),
    keep: z
      .int()
      .min(1, { message: 'must be at least 1: the newest image is always kept' })
      .optional()
      .describe('The newest images always kept.'),
    drop: z
      .int()
      .min(0, { message: 'cannot be negative' })
      .optional()
      .describe('The most images deleted in one run.'),
    /** An orphan rule instead: untagged manifests that nothing tagged reaches, older than this. */
    untagged: z
      .strictObject({ olderThan: age })
      .optional()
      .describe(
        'An orphan rule: untagged manifests nothing tagged reaches, older than olderThan (ECR and ghcr).',
      ),
    /** The circuit breaker: the most of a repository one run may delete, or off. */
    maxDeleteShare: z
      .union(
        [z.number().gt(0, { message: shareMessage }).max(1, { message: shareMessage }), z.literal('off')],
        {
          error: () => shareMessage,
        },
      )
      .default(0.5)
      .describe('Circuit breaker: the most of a repository one run may delete (0–1], or off.'),
    active: z.boolean().default(true).describe('false keeps the rule in the file but never runs it.'),
  })
  // Runs even when a field is mistyped, so that a missing `keep` is reported beside a wrong `drop`.
  .superRefine(
    (rule, context) => {
      const problem = (path: string, message: string) =>
        context.addIssue({ code: 'custom', path: [path], message });
      if (rule.untagged !== undefined) {
        // An orphan rule has no tags to match and no newest images to keep.
        if (rule.tags !== undefined)
          problem('tags', 'cannot be combined with untagged: a rule cleans tags or orphans');
        if (rule.keep !== undefined)
          problem('keep', 'has no meaning for an untagged rule (nothing tagged is ever deleted)');
        return;
      }
      if (rule.tags === undefined)
        problem('tags', 'is required (sha, tag or a list of prefixes), or `untagged` for an orphan rule');
      if (rule.keep === undefined) problem('keep', 'is required');
      if (rule.drop === undefined) problem('drop', 'is required');
    },
    { when: (payload) => isRecord(payload.value) },
  );

/** How long one request may wait for an answer before it is abandoned and retried. */
const requestTimeout = duration
  .default('30s')
  .describe('How long one request may wait for an answer before it is retried (default 30s).');

const ecrRegistrySchema = z.strictObject({
  type: z.literal('ecr'),
  region: z.string().min(1).optional(),
  /** Another account's registry; also what in-use references are matched against. */
  registryId: z
    .string()
    .regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id such as 123456789012' })
    .optional()
    .describe(
      'The registry (AWS account id) to clean; default: the credentials’ own. In-use references match ACCOUNT.dkr.ecr.REGION.amazonaws.com.',
    ),
  /** Requests in flight at once, and repositories worked on at once. */
  concurrency: z.int().min(1).max(64).default(8).describe('Requests in flight at once (default 8).'),
  requestTimeout,
});

const ociRegistrySchema = z.strictObject({
  type: z.literal('oci'),
  url: z.string().refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    message: 'must be an https:// URL (or http:// for a registry on your own machine or network)',
  }),
  /** Requests in flight at once. */
  concurrency: z.int().min(1).max(64).default(8),
  requestTimeout,
  auth: z
    .strictObject({
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      usernameEnv: z.string().min(1).optional(),
      passwordEnv: z.string().min(1).optional(),
      dockerConfig: z.union([z.string().min(1), z.boolean()]).optional(),
    })
    .optional(),
});

const httpUrl = z.string().refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
  message: 'must be an http(s):// URL',
});

/** GitHub Container Registry: versions and deletes through GitHub's REST API, manifests from ghcr.io. */
const ghcrRegistrySchema = z.strictObject({
  type: z.literal('ghcr'),
  owner: z
    .string()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: 'must be a GitHub user or organisation name' })
    .describe('The user or organisation that owns the packages (ghcr.io/OWNER/…).'),
  tokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be the name of an environment variable' })
    .default('GITHUB_TOKEN')
    .describe('The environment variable holding the GitHub token (default GITHUB_TOKEN).'),
  apiUrl: httpUrl
    .default('https://api.github.com')
    .describe('GitHub REST API base URL (GitHub Enterprise Server: https://HOST/api/v3).'),
  registryUrl: httpUrl
    .default('https://ghcr.io')
    .describe('Where manifests are read (default https://ghcr.io).'),
  concurrency: z.int().min(1).max(64).default(8).describe('Reads in flight at once (default 8).'),
  requestTimeout,
  deletesPerMinute: z
    .int()
    .min(1)
    .max(180, {
      message: 'GitHub’s secondary limit allows at most 180 deletes a minute (900 points, 5 a DELETE)',
    })
    .default(150)
    .describe('Pace of deletes, under GitHub’s secondary limit of 180 a minute (default 150).'),
});

/** The smallest rule, shown where a rule or the list of rules is missing or malformed. */
const exampleRule = { repositories: ['kayron'], tags: 'sha', keep: 10, drop: 5 };

export const configSchema = z.strictObject({
  registry: z
    .discriminatedUnion('type', [ecrRegistrySchema, ociRegistrySchema, ghcrRegistrySchema])
    .meta({ examples: [{ type: 'ecr', region: 'us-west-2' }] }),
  schedule: z
    .strictObject({
      every: duration.default('1h'),
      jitter: z
        .number()
        .min(0)
        .max(1, { message: 'is a fraction of `every`, between 0 and 1' })
        .default(0.01),
      /** The longest one run may take before it is aborted and counted as failed. */
      timeout: duration.default('15m'),
    })
    .default({ every: '1h', jitter: 0.01, timeout: '15m' }),
  rules: z
    .array(ruleSchema.meta({ examples: [exampleRule] }))
    .min(1, { message: 'must define at least one rule' })
    .meta({ examples: [[exampleRule]] }),
  inUse: inUseSchema.optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
