/** An AWS source's place: one region of one account, through a profile and/or an assumed role. */
export interface AwsSourcePlace {
  readonly region: string;
  readonly profile?: string;
  readonly roleArn?: string;
}

/** `us-east-1 (role arn:aws:iam::111122223333:role/janitor-read)`, for names and reasons. */
export function describePlace(place: AwsSourcePlace): string {
  const through = [
    place.profile !== undefined && `profile ${place.profile}`,
    place.roleArn !== undefined && `role ${place.roleArn}`,
  ].filter(Boolean);
  return through.length > 0 ? `${place.region} (${through.join(', ')})` : place.region;
}

export interface KubernetesSourceSettings {
  /** A kubeconfig file; default `$KUBECONFIG`, else `~/.kube/config`. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** The pod's own service account, when the janitor runs in the cluster it reads. */
  readonly inCluster?: boolean;
}

/**
 * The names sources go by in reasons and errors. Kept apart from the sources so that naming one
 * does not load its client library (@kubernetes/client-node alone takes seconds to load).
 */
export const sourceName = {
  ecs: (place: AwsSourcePlace) => `ecs ${describePlace(place)}`,
  lambda: (place: AwsSourcePlace) => `lambda ${describePlace(place)}`,
  kubernetes: (settings: KubernetesSourceSettings) => {
    if (settings.inCluster) return 'kubernetes in-cluster';
    const where = settings.context === undefined ? 'current context' : `context ${settings.context}`;
    return `kubernetes ${where}${settings.kubeconfig === undefined ? '' : ` of ${settings.kubeconfig}`}`;
  },
};
