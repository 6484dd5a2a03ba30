/**
 * What platform a native binary is for, read from its header: ELF (Linux), Mach-O (macOS, thin or
 * universal) or PE (Windows). Used by the packaging tests to check that a VSIX carries only its
 * target's binaries.
 */

export type BinaryFormat = 'elf' | 'macho' | 'pe';
export type Architecture = 'x64' | 'arm64' | 'ia32' | 'arm' | `other (${string})`;

export interface NativeBinary {
  format: BinaryFormat;
  /** One architecture, or several for a universal (fat) Mach-O. */
  architectures: Architecture[];
  /** ELF only: the C library it was linked against, from its symbol versions / needed libraries. */
  libc?: 'glibc' | 'musl' | 'unknown';
}

const ELF_MACHINES: Record<number, Architecture> = { 0x3e: 'x64', 0xb7: 'arm64', 0x03: 'ia32', 0x28: 'arm' };
const MACHO_CPUS: Record<number, Architecture> = { 0x01000007: 'x64', 0x0100000c: 'arm64', 7: 'ia32', 12: 'arm' };
const PE_MACHINES: Record<number, Architecture> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32', 0x1c4: 'arm' };

function named(table: Record<number, Architecture>, code: number): Architecture {
  return table[code] ?? `other (0x${code.toString(16)})`;
}

/** The binary's format and architectures, or undefined when `bytes` is not a native binary. */
export function inspectNativeBinary(bytes: Buffer): NativeBinary | undefined {
  if (bytes.length < 64) return undefined;
  // ELF: "\x7fELF", e_ident[EI_DATA] says the byte order of e_machine (offset 18).
  if (bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18);
    return { format: 'elf', architectures: [named(ELF_MACHINES, machine)], libc: elfLibc(bytes) };
  }
  const magic = bytes.readUInt32LE(0);
  // Thin 64- or 32-bit Mach-O, little-endian (every Mac since the PowerPC ones): cputype at 4.
  if (magic === 0xfeedfacf || magic === 0xfeedface) {
    return { format: 'macho', architectures: [named(MACHO_CPUS, bytes.readUInt32LE(4))] };
  }
  // Universal Mach-O: big-endian header, nfat_arch, then one fat_arch (20 bytes; fat64: 32) per slice.
  const fatMagic = bytes.readUInt32BE(0);
  if (fatMagic === 0xcafebabe || fatMagic === 0xcafebabf) {
    const count = bytes.readUInt32BE(4);
    const size = fatMagic === 0xcafebabe ? 20 : 32;
    // Java class files share 0xcafebabe; their "count" (a version) is far above any real slice count.
    if (count === 0 || count > 8) return undefined;
    const architectures = Array.from({ length: count }, (_, i) => named(MACHO_CPUS, bytes.readUInt32BE(8 + i * size)));
    return { format: 'macho', architectures };
  }
  // PE: "MZ", e_lfanew at 0x3c points at "PE\0\0", then the COFF header's Machine.
  if (bytes.readUInt16LE(0) === 0x5a4d) {
    const pe = bytes.readUInt32LE(0x3c);
    if (pe + 6 > bytes.length || bytes.readUInt32LE(pe) !== 0x00004550) return undefined;
    return { format: 'pe', architectures: [named(PE_MACHINES, bytes.readUInt16LE(pe + 4))] };
  }
  return undefined;
}

/**
 * glibc binaries carry versioned symbols ("GLIBC_2.17"); musl ones need "libc.musl-<arch>.so.1" and
 * have no symbol versions. Good enough to tell sharp's linux from its linuxmusl builds.
 */
function elfLibc(bytes: Buffer): NativeBinary['libc'] {
  if (bytes.includes('libc.musl-')) return 'musl';
  if (bytes.includes('GLIBC_')) return 'glibc';
  return 'unknown';
}

/** File names that are native code by their extension (a header check catches the others). */
export function looksNative(path: string): boolean {
  return /\.(node|dylib|dll|exe|so)(\.\d+)*$/i.test(path);
}
