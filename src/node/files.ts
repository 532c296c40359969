/** Reading the files a user names, with errors that say which file and why (InputError: exit code 2). */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';

function cannotRead(shown: string, err: unknown): InputError {
  return new InputError(`${shown}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
}

/** The bytes of `file` (absolute); `shown` is the name the user gave. */
export async function readInputFile(file: string, shown: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    throw cannotRead(shown, err);
  }
}

/** The UTF-8 text of `file` (absolute); `shown` is the name the user gave. */
export async function readInputText(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(shown, err);
  }
}
