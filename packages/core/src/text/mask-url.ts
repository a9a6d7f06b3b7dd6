/** The URL with its password replaced by `***`, fit for logs and messages. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
