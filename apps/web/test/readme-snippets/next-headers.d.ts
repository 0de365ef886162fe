// What the snippets use of Next.js, which this repository does not install.
declare module "next/headers" {
  export function headers(): Promise<Headers>;
}
