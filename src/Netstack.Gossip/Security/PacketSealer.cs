using System.Buffers;
using System.Security.Cryptography;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip.Security;

/// <summary>Wraps bodies in the versioned envelope and seals/opens them with the key ring.</summary>
internal sealed class PacketSealer
{
    private readonly GossipKeyring? _keyring;

    public PacketSealer(GossipKeyring? keyring)
    {
        _keyring = keyring;
    }

    public int Overhead => _keyring is null ? WireFormat.HeaderSize : WireFormat.SealOverhead;

    /// <summary>Writes the envelope around <paramref name="body"/> into a new array.</summary>
    public byte[] Seal(ReadOnlySpan<byte> body)
    {
        var packet = new byte[body.Length + Overhead];
        packet[0] = WireFormat.Version;
        if (_keyring is null)
        {
            packet[1] = WireFormat.SealPlain;
            body.CopyTo(packet.AsSpan(WireFormat.HeaderSize));
            return packet;
        }
        packet[1] = WireFormat.SealAesGcm;
        var nonce = packet.AsSpan(WireFormat.HeaderSize, WireFormat.NonceSize);
        // A random 96-bit nonce per packet, as memberlist does; with one key, collisions stay
        // negligible for far more packets than a key lives for.
        RandomNumberGenerator.Fill(nonce);
        var cipher = packet.AsSpan(WireFormat.HeaderSize + WireFormat.NonceSize, body.Length);
        var tag = packet.AsSpan(packet.Length - WireFormat.TagSize);
        using var aes = new AesGcm(_keyring.CurrentKeys[0], WireFormat.TagSize);
        aes.Encrypt(nonce, body, cipher, tag, packet.AsSpan(0, WireFormat.HeaderSize));
        return packet;
    }

    /// <summary>
    /// Checks the envelope and returns the body. For sealed packets the body is decrypted into a
    /// buffer rented from the shared pool; the caller returns it with <see cref="Release"/>.
    /// </summary>
    public OpenResult TryOpen(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> body, out byte[]? rented)
    {
        body = default;
        rented = null;
        if (packet.Length < WireFormat.HeaderSize || packet[0] != WireFormat.Version)
        {
            return OpenResult.Malformed;
        }
        var sealing = packet[1];
        if (_keyring is null)
        {
            if (sealing != WireFormat.SealPlain)
            {
                return OpenResult.DecryptFailed;
            }
            body = packet[WireFormat.HeaderSize..];
            return OpenResult.Ok;
        }
        if (sealing != WireFormat.SealAesGcm || packet.Length < WireFormat.SealOverhead)
        {
            return OpenResult.DecryptFailed;
        }
        var nonce = packet.Slice(WireFormat.HeaderSize, WireFormat.NonceSize);
        var cipher = packet[(WireFormat.HeaderSize + WireFormat.NonceSize)..^WireFormat.TagSize];
        var tag = packet[^WireFormat.TagSize..];
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, cipher.Length));
        foreach (var key in _keyring.CurrentKeys)
        {
            using var aes = new AesGcm(key, WireFormat.TagSize);
            try
            {
                aes.Decrypt(nonce, cipher, tag, buffer.AsSpan(0, cipher.Length), packet[..WireFormat.HeaderSize]);
                rented = buffer;
                body = buffer.AsSpan(0, cipher.Length);
                return OpenResult.Ok;
            }
            catch (AuthenticationTagMismatchException)
            {
                // Try the next installed key.
            }
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return OpenResult.DecryptFailed;
    }

    public static void Release(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

internal enum OpenResult
{
    Ok,
    Malformed,
    DecryptFailed,
}
