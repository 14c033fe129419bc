// Types for the parts of the official `ovh` client we use (the package ships none).
declare module 'ovh' {
  export interface OvhClientParams {
    appKey: string;
    appSecret: string;
    consumerKey?: string;
    endpoint?: string;
    host?: string;
    port?: number;
    basePath?: string;
    apiTimeDiff?: number;
    timeout?: number;
  }
  export interface OvhClient {
    readonly appKey: string;
    readonly consumerKey: string | null;
    readonly host: string;
    readonly port: number;
    readonly basePath: string;
    apiTimeDiff: number | null;
    signRequest(httpMethod: string, url: string, body: string | null, timestamp: number | string): string;
    requestPromised(httpMethod: string, path: string, params?: Record<string, unknown>): Promise<unknown>;
  }
  function ovh(params: OvhClientParams): OvhClient;
  export default ovh;
}
