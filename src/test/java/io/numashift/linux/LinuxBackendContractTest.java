package io.numashift.linux;

import io.numashift.core.backend.NumaBackendContract;
import java.io.IOException;

/**
 * The backend contract on this machine's kernel, with a real child process that touched known
 * pages; needs Linux, gcc and a JVM with native access (the build's test flags give it).
 */
class LinuxBackendContractTest extends NumaBackendContract {

    @Override
    protected KnownProcess startKnownProcess() throws IOException, InterruptedException {
        LinuxBackend backend = LinuxBackend.open("this-host");
        TouchedMemoryChild exited = TouchedMemoryChild.start();
        int absentPid = exited.pid();
        exited.exit();
        exited.close();
        TouchedMemoryChild child = TouchedMemoryChild.start();
        return new KnownProcess(
                backend,
                child.pid(),
                child.anonStart,
                TouchedMemoryChild.ANON_PAGES,
                TouchedMemoryChild::touched,
                child.file().toString(),
                child.fileStart,
                absentPid,
                child);
    }
}
