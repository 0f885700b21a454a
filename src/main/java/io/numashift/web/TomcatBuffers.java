package io.numashift.web;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Smaller per-connection socket buffers than Tomcat's 8 KiB. Every agent of the cluster holds a
 * request open (its lease long poll) and Tomcat keeps a read and a write buffer for each open
 * connection, and sizes each request's header buffer by the read buffer; Tomcat's own advice for
 * "an extreme amount of keep alive connections" is to make them smaller. The service's requests
 * and answers are small JSON documents, and larger ones (an agent's result) are read in more
 * pieces, not refused.
 */
@Component
class TomcatBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {
    private static final int SOCKET_BUFFER_BYTES = 2_048;

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            for (String property : new String[] {"socket.appReadBufSize", "socket.appWriteBufSize"}) {
                if (!connector.setProperty(property, Integer.toString(SOCKET_BUFFER_BYTES))) {
                    throw new IllegalStateException("Tomcat's connector has no property " + property);
                }
            }
        });
    }
}
