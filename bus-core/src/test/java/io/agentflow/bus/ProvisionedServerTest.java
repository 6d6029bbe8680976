package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For test classes that want a nats-server of their own with the streams provisioned and one bus connected with the
 * test delays ({@link TestConfigs#of}). Test classes run one after another, so the fields belong to the
 * class running.
 */
abstract class ProvisionedServerTest
{
    static NatsTestServer server;
    static JetStreamBus bus;

    @BeforeAll
    static void startProvisionedServer() throws Exception
    {
        server = NatsTestServer.start();
        bus = JetStreamBus.connect(TestConfigs.of(server));
        bus.provision();
    }

    @AfterAll
    static void stopProvisionedServer() throws Exception
    {
        bus.close();
        server.close();
    }
}
