/** Loads an optional peer dependency when the option that needs it is set, or names the package to install. */
import { OptionsError } from '../options-check';

/** `require(packageName)`, or an {@link OptionsError} on `option` saying how to install it when it is missing. */
export function loadOptionalPeer(owner: string, option: string, packageName: string): unknown {
  try {
    // Required only when `option` is set, so a bridge without it never loads the package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(packageName) as unknown;
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (code !== 'MODULE_NOT_FOUND') throw err;
    throw new OptionsError(owner, option, `needs the optional package ${packageName}, which is not installed: run \`npm install ${packageName}\`.`);
  }
}
