using System.Net;

namespace Netstack.Gossip.Wire;

/// <summary>Encoders for the small messages; decoding happens where each message is handled.</summary>
internal static class Messages
{
    public static void Ping(WireWriter w, uint seq, string target, string source, IPEndPoint sourceEndpoint, bool stream)
    {
        var at = Begin(w, MessageType.Ping, stream);
        w.WriteUInt32(seq);
        w.WriteString(target);
        w.WriteString(source);
        w.WriteEndpoint(sourceEndpoint);
        End(w, at, stream);
    }

    public static void IndirectPing(WireWriter w, uint seq, string target, IPEndPoint targetEndpoint, bool wantNack, IPEndPoint source)
    {
        var at = w.BeginMessage(MessageType.IndirectPing);
        w.WriteUInt32(seq);
        w.WriteString(target);
        w.WriteEndpoint(targetEndpoint);
        w.WriteByte(wantNack ? (byte)1 : (byte)0);
        w.WriteEndpoint(source);
        w.EndMessage(at);
    }

    public static void Ack(WireWriter w, MessageType type, uint seq, bool stream)
    {
        var at = Begin(w, type, stream);
        w.WriteUInt32(seq);
        End(w, at, stream);
    }

    public static byte[] Alive(uint incarnation, string name, IPEndPoint endpoint)
    {
        var w = new WireWriter(64);
        var at = w.BeginMessage(MessageType.Alive);
        w.WriteUInt32(incarnation);
        w.WriteString(name);
        w.WriteEndpoint(endpoint);
        w.EndMessage(at);
        return w.ToArray();
    }

    /// <summary>Suspect or Dead.</summary>
    public static byte[] Accusation(MessageType type, uint incarnation, string name, string from)
    {
        var w = new WireWriter(64);
        var at = w.BeginMessage(type);
        w.WriteUInt32(incarnation);
        w.WriteString(name);
        w.WriteString(from);
        w.EndMessage(at);
        return w.ToArray();
    }

    private static int Begin(WireWriter w, MessageType type, bool stream)
    {
        if (stream)
        {
            w.WriteByte((byte)type);
            return -1;
        }
        return w.BeginMessage(type);
    }

    private static void End(WireWriter w, int at, bool stream)
    {
        if (!stream)
        {
            w.EndMessage(at);
        }
    }
}
