namespace Netstack.Gossip.Security;

/// <summary>
/// The AES-GCM keys of a gossip cluster. The primary key seals every outgoing packet; every
/// installed key is tried on incoming packets, so a key can be rolled without a flag day:
/// install the new key everywhere, make it primary everywhere, then remove the old one.
/// Safe to change while the node runs (readers see an immutable snapshot).
/// </summary>
public sealed class GossipKeyring
{
    private readonly object _gate = new();
    private volatile Snapshot _snapshot;

    /// <summary>Creates a ring whose primary is <paramref name="primaryKey"/> (16, 24 or 32 bytes: AES-128/192/256).</summary>
    public GossipKeyring(ReadOnlySpan<byte> primaryKey)
    {
        var key = Validate(primaryKey);
        _snapshot = new Snapshot([key]);
    }

    /// <summary>The primary key first, then the others in installation order (copies).</summary>
    public IReadOnlyList<byte[]> Keys => _snapshot.Keys.Select(k => (byte[])k.Clone()).ToArray();

    /// <summary>The primary key (a copy).</summary>
    public byte[] PrimaryKey => (byte[])_snapshot.Keys[0].Clone();

    internal byte[][] CurrentKeys => _snapshot.Keys;

    /// <summary>Adds a key that decrypts incoming packets; no effect when it is already installed.</summary>
    public void InstallKey(ReadOnlySpan<byte> key)
    {
        var copy = Validate(key);
        lock (_gate)
        {
            if (IndexOf(copy) >= 0)
            {
                return;
            }
            _snapshot = new Snapshot([.. _snapshot.Keys, copy]);
        }
    }

    /// <summary>Makes an installed key the primary (the one that encrypts).</summary>
    public void UseKey(ReadOnlySpan<byte> key)
    {
        var copy = Validate(key);
        lock (_gate)
        {
            var index = IndexOf(copy);
            if (index < 0)
            {
                throw new InvalidOperationException("gossip key is not installed; install it before making it primary");
            }
            var keys = _snapshot.Keys.ToList();
            keys.RemoveAt(index);
            keys.Insert(0, copy);
            _snapshot = new Snapshot([.. keys]);
        }
    }

    /// <summary>Removes a key. The primary key cannot be removed; make another key primary first.</summary>
    public void RemoveKey(ReadOnlySpan<byte> key)
    {
        var copy = Validate(key);
        lock (_gate)
        {
            var index = IndexOf(copy);
            if (index == 0)
            {
                throw new InvalidOperationException("cannot remove the primary gossip key; make another key primary first");
            }
            if (index < 0)
            {
                return;
            }
            var keys = _snapshot.Keys.ToList();
            keys.RemoveAt(index);
            _snapshot = new Snapshot([.. keys]);
        }
    }

    /// <summary>Reads a key file: base64 of 16, 24 or 32 bytes, surrounding whitespace ignored.</summary>
    public static byte[] ParseKey(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException($"gossip key in {source} is not base64", nameof(text));
        }
        return Validate(key, source);
    }

    private int IndexOf(byte[] key)
    {
        var keys = _snapshot.Keys;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].AsSpan().SequenceEqual(key))
            {
                return i;
            }
        }
        return -1;
    }

    private static byte[] Validate(ReadOnlySpan<byte> key, string source = "key")
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"gossip {source} is {key.Length} bytes; AES-GCM needs 16, 24 or 32", nameof(key));
        }
        return key.ToArray();
    }

    private sealed record Snapshot(byte[][] Keys);
}
