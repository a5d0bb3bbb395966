"""The system calls a script may not make, as the classic-BPF seccomp filter bwrap installs (`--seccomp`).

Namespaces and dropped capabilities already make most dangerous calls fail; this closes what stays open
to an unprivileged process inside its own sandbox: tracing or reading the memory of the sandbox's other
processes (bwrap's own init among them), kernel keyrings, eBPF, perf events, userfaultfd and io_uring
(large kernel attack surface for nothing a script needs). They fail with EPERM. On x86-64 the x32 ABI
is refused whole, so the same calls cannot be reached by their other numbers.
"""

import platform
import struct

from automation.scripting.errors import SandboxUnavailable

# Per architecture: its AUDIT_ARCH value and the numbers of the refused calls.
DENIED = {
    "x86_64": (
        0xC000003E,
        {
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "add_key": 248,
            "request_key": 249,
            "keyctl": 250,
            "perf_event_open": 298,
            "bpf": 321,
            "userfaultfd": 323,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "add_key": 217,
            "request_key": 218,
            "keyctl": 219,
            "perf_event_open": 241,
            "bpf": 280,
            "userfaultfd": 282,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
        },
    ),
}
X32_SYSCALL_BIT = 0x40000000

LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
RET_K = 0x06
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO_EPERM = 0x00050000 | 1
SECCOMP_RET_KILL_PROCESS = 0x80000000
ARCH_OFFSET = 4
NR_OFFSET = 0


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def seccomp_program(machine: str | None = None) -> bytes:
    """The filter for this machine's architecture; SandboxUnavailable on one it does not know."""
    machine = machine or platform.machine()
    if machine not in DENIED:
        raise SandboxUnavailable(f"Scripts cannot run: no system call filter for the {machine} architecture.")
    arch, calls = DENIED[machine]
    numbers = sorted(calls.values())
    checks = len(numbers) + (1 if machine == "x86_64" else 0)
    # Layout: [arch load, arch check, nr load, checks..., allow, deny, kill]; jumps count from the next one.
    program = [_instruction(LD_W_ABS, 0, 0, ARCH_OFFSET)]
    # A call made under another architecture (a 32-bit one) is killed: its numbers mean other calls.
    program.append(_instruction(JEQ_K, 0, checks + 3, arch))
    program.append(_instruction(LD_W_ABS, 0, 0, NR_OFFSET))
    remaining = checks
    if machine == "x86_64":
        remaining -= 1
        program.append(_instruction(JGE_K, remaining + 1, 0, X32_SYSCALL_BIT))
    for number in numbers:
        remaining -= 1
        program.append(_instruction(JEQ_K, remaining + 1, 0, number))
    program.append(_instruction(RET_K, 0, 0, SECCOMP_RET_ALLOW))
    program.append(_instruction(RET_K, 0, 0, SECCOMP_RET_ERRNO_EPERM))
    program.append(_instruction(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS))
    return b"".join(program)
