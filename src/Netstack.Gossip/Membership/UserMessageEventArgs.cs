namespace Netstack.Gossip.Membership;

/// <summary>A user message (<see cref="GossipNode.SendUserMessageAsync"/>) and the member that sent it.</summary>
public sealed class UserMessageEventArgs(string from, byte[] payload) : EventArgs
{
    public string From { get; } = from;

    public ReadOnlyMemory<byte> Payload { get; } = payload;
}
