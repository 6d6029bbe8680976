package io.agentflow.codec.json;

/**
 * A value that already holds its canonical bytes, so a writer copies them instead of walking a tree.
 */
public interface RawCanonicalJson
{
    void writeCanonicalTo(GrowableBytes out);
}
