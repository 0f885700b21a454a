package io.numashift.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The system calls of the Linux backend, linked once through the Foreign Function & Memory API.
 * Each call captures {@code errno} and turns a failure into a {@link SyscallException}.
 *
 * <p>{@code move_pages(2)} and {@code process_vm_readv(2)} go through libc's variadic {@code
 * syscall(long number, ...)}, every argument passed as a 64-bit value the way the kernel reads it.
 * Calls on the hot path take a caller-owned call-state segment so that they allocate nothing.
 */
final class Syscalls {
    static final String NATIVE_ACCESS_FLAG = "--enable-native-access=ALL-UNNAMED";

    static final int MPOL_MF_MOVE = 2;
    static final int MPOL_MF_MOVE_ALL = 4;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;

    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final long sysMovePages;
    private final long sysProcessVmReadv;
    private final MethodHandle movePages;
    private final MethodHandle processVmReadv;
    private final MethodHandle kill;
    private final MethodHandle schedSetaffinity;
    private final MethodHandle open;
    private final MethodHandle write;
    private final MethodHandle close;
    private final int pageSize;

    private Syscalls(long sysMovePages, long sysProcessVmReadv) throws Throwable {
        this.sysMovePages = sysMovePages;
        this.sysProcessVmReadv = sysProcessVmReadv;
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        // long syscall(long number, ...): pid, count, pages, nodes, status, flags
        this.movePages = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("syscall"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG),
                Linker.Option.firstVariadicArg(1),
                errno);
        // long syscall(long number, ...): pid, local_iov, liovcnt, remote_iov, riovcnt, flags
        this.processVmReadv = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("syscall"),
                FunctionDescriptor.of(
                        JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1),
                errno);
        this.kill = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("kill"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        this.schedSetaffinity = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("sched_setaffinity"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                errno);
        // int open(const char *path, int flags, ...): no mode, as nothing is created
        this.open = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("open"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(2),
                errno);
        this.write = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("write"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
                errno);
        this.close = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        MethodHandle getpagesize = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("getpagesize"), FunctionDescriptor.of(JAVA_INT));
        this.pageSize = (int) getpagesize.invokeExact();
    }

    /**
     * Links the calls for this machine.
     *
     * @throws UnsupportedOperationException off Linux, on an architecture whose system call numbers
     *     are not known here, or when the JVM does not allow native access (naming the flag to add)
     */
    static Syscalls link() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux")) {
            throw new UnsupportedOperationException("the Linux backend runs on Linux, not on " + os);
        }
        try {
            return switch (arch) {
                case "amd64", "x86_64" -> new Syscalls(279, 310);
                case "aarch64" -> new Syscalls(239, 270);
                default ->
                    throw new UnsupportedOperationException(
                            "the Linux backend knows the system call numbers of x86-64 and aarch64, not " + arch);
            };
        } catch (IllegalCallerException e) {
            throw new UnsupportedOperationException(
                    "the Linux backend calls the kernel through java.lang.foreign, which this JVM does not allow"
                            + " for the application: start it with " + NATIVE_ACCESS_FLAG + " (java "
                            + NATIVE_ACCESS_FLAG + " -jar numashift.jar)",
                    e);
        } catch (UnsupportedOperationException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot link the system calls of the Linux backend", e);
        }
    }

    /** The size of a base page, from {@code getpagesize(3)}. */
    int pageSize() {
        return pageSize;
    }

    /** A segment to capture {@code errno} in, for the calls that take one. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /**
     * {@code move_pages(2)}: with {@code nodes} {@link MemorySegment#NULL} it only writes each
     * page's node (or a negative errno) to {@code status}.
     *
     * @return 0, or the number of pages the kernel did not move (their status is left as it was)
     */
    long movePages(
            MemorySegment state,
            int pid,
            long count,
            MemorySegment pages,
            MemorySegment nodes,
            MemorySegment status,
            int flags) {
        long result;
        try {
            result = (long)
                    movePages.invokeExact(state, sysMovePages, (long) pid, count, pages, nodes, status, (long) flags);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return check(state, result, "move_pages");
    }

    /**
     * {@code process_vm_readv(2)} from the remote ranges in {@code remoteIov} into the local ones.
     *
     * @return the bytes read, which stop at the first remote range that cannot be read
     */
    long processVmReadv(
            MemorySegment state,
            int pid,
            MemorySegment localIov,
            long localCount,
            MemorySegment remoteIov,
            long remoteCount) {
        long result;
        try {
            result = (long) processVmReadv.invokeExact(
                    state, sysProcessVmReadv, (long) pid, localIov, localCount, remoteIov, remoteCount, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return check(state, result, "process_vm_readv");
    }

    /** {@code kill(2)}. */
    void kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            int result;
            try {
                result = (int) kill.invokeExact(state, pid, signal);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            check(state, result, "kill");
        }
    }

    /** {@code sched_setaffinity(2)} of one thread to one CPU. */
    void pinToCpu(int tid, int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            // A cpu_set_t of at least 1024 CPUs, as glibc's, grown to hold the CPU.
            long words = Math.max(16, cpu / 64 + 1);
            MemorySegment mask = arena.allocate(JAVA_LONG, words);
            mask.setAtIndex(JAVA_LONG, cpu / 64, 1L << (cpu % 64));
            int result;
            try {
                result = (int) schedSetaffinity.invokeExact(state, tid, mask.byteSize(), mask);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            check(state, result, "sched_setaffinity");
        }
    }

    /** Writes a string to an existing file in one {@code write(2)}, as cgroup files expect. */
    void writeFile(String path, String content) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            MemorySegment cPath = arena.allocateFrom(path);
            byte[] bytes = content.getBytes(StandardCharsets.US_ASCII);
            MemorySegment buffer = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buffer, JAVA_BYTE, 0, bytes.length);
            int fd;
            try {
                fd = (int) open.invokeExact(state, cPath, O_WRONLY | O_CLOEXEC);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            check(state, fd, "open " + path);
            try {
                long written;
                try {
                    written = (long) write.invokeExact(state, fd, buffer, (long) bytes.length);
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
                check(state, written, "write " + path);
            } finally {
                close(state, fd);
            }
        }
    }

    private void close(MemorySegment state, int fd) {
        int result;
        try {
            result = (int) close.invokeExact(state, fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        check(state, result, "close");
    }

    private static long check(MemorySegment state, long result, String call) {
        if (result == -1) {
            throw new SyscallException(call, (int) ERRNO.get(state, 0L));
        }
        return result;
    }
}
