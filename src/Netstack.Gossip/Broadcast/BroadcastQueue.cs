namespace Netstack.Gossip.Broadcast;

/// <summary>
/// Messages waiting to be gossiped, each sent a limited number of times
/// (retransmit multiplier * ceil(log10(n + 1)), memberlist's retransmitLimit), fewest-sent first
/// and newest first among equals. A new message about the same subject (a member, an entry)
/// replaces the queued one. Messages scoped to a network only go to members of that network,
/// and their limit uses that network's size.
/// </summary>
internal sealed class BroadcastQueue
{
    private readonly Dictionary<string, Item> _bySubject = new(StringComparer.Ordinal);
    private readonly List<LinkedList<Item>> _buckets = [];
    private readonly List<Item> _taken = [];
    private long _sequence;

    public int Count => _bySubject.Count;

    public static int RetransmitLimit(int multiplier, int members) =>
        multiplier * (int)Math.Ceiling(Math.Log10(members + 1.0));

    /// <summary>Queues an encoded message (header included), replacing one with the same subject.</summary>
    public void Enqueue(string subject, byte[] message, string? network = null, Action? onFirstSend = null)
    {
        if (_bySubject.Remove(subject, out var old))
        {
            old.Node!.List!.Remove(old.Node);
        }
        var item = new Item(subject, message, network, ++_sequence, onFirstSend);
        _bySubject[subject] = item;
        Bucket(0).AddLast(item.Node!);
    }

    /// <summary>
    /// Takes messages that fit in <paramref name="budget"/> bytes and may go to the target
    /// (<paramref name="accepts"/> decides for network-scoped ones), counts a transmission for each,
    /// and drops those that reached their limit.
    /// </summary>
    public void Fill(List<byte[]> output, int budget, Func<string, bool> accepts, Func<string?, int> limitFor)
    {
        if (_bySubject.Count == 0)
        {
            return;
        }
        _taken.Clear();
        for (var b = 0; b < _buckets.Count && budget > Wire.WireFormat.MessageHeaderSize; b++)
        {
            // Newest first: the tail of each bucket holds the latest additions.
            for (var node = _buckets[b].Last; node is not null && budget > Wire.WireFormat.MessageHeaderSize; node = node.Previous)
            {
                var item = node.Value;
                if (item.Message.Length > budget || (item.Network is not null && !accepts(item.Network)))
                {
                    continue;
                }
                budget -= item.Message.Length;
                output.Add(item.Message);
                _taken.Add(item);
            }
        }
        foreach (var item in _taken)
        {
            item.Node!.List!.Remove(item.Node);
            item.Transmits++;
            if (item.Transmits == 1)
            {
                item.OnFirstSend?.Invoke();
            }
            if (item.Transmits >= limitFor(item.Network))
            {
                _bySubject.Remove(item.Subject);
                continue;
            }
            Bucket(item.Transmits).AddFirst(item.Node);
        }
        _taken.Clear();
    }

    /// <summary>Drops every message scoped to <paramref name="network"/>.</summary>
    public void RemoveNetwork(string network)
    {
        foreach (var item in _bySubject.Values.Where(i => i.Network == network).ToList())
        {
            _bySubject.Remove(item.Subject);
            item.Node!.List!.Remove(item.Node);
        }
    }

    private LinkedList<Item> Bucket(int transmits)
    {
        while (_buckets.Count <= transmits)
        {
            _buckets.Add(new LinkedList<Item>());
        }
        return _buckets[transmits];
    }

    private sealed class Item
    {
        public Item(string subject, byte[] message, string? network, long sequence, Action? onFirstSend)
        {
            Subject = subject;
            Message = message;
            Network = network;
            Sequence = sequence;
            OnFirstSend = onFirstSend;
            Node = new LinkedListNode<Item>(this);
        }

        public string Subject { get; }

        public byte[] Message { get; }

        public string? Network { get; }

        public long Sequence { get; }

        public Action? OnFirstSend { get; }

        public LinkedListNode<Item> Node { get; }

        public int Transmits { get; set; }
    }
}
