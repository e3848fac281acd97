/** What the provider construct knows of one vendor setting; the generated table lists them. */

/** One vendor setting: its prop, its provider attribute, its environment fallback. */
export interface ApiAccessSettingInfo {
  /** The prop of ApiAccessProviderProps. */
  readonly prop: string;
  /** The provider block attribute. */
  readonly attribute: string;
  /** The environment variable the provider falls back to. */
  readonly env: string;
  /** A literal value is refused at synth. */
  readonly sensitive: boolean;
}
