/** Where a command writes; the process's streams unless a caller (a test) captures them. */
export interface CommandIo {
  out: (text: string) => void
  err: (text: string) => void
}

export const processIo: CommandIo = {
  out: text => { process.stdout.write(text) },
  err: text => { process.stderr.write(text) }
}
