package io.agentflow.bus;

/**
 * The bus contract in process with {@code AF_BUS_WAIT_STRATEGY=yielding}: subscription readers then never wait on
 * the stream's monitor, so delivery, redelivery, close (an interrupt, not a monitor wait, must stop the reader) and
 * the rest run on the spinning reader's path.
 */
class InProcessSpinningBusContractTest extends InProcessBusContractTest
{
    @Override
    BusConfig config()
    {
        return super.config().pipeline("yielding", true);
    }
}
