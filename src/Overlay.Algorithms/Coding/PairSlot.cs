namespace Overlay.Algorithms.Coding;

/// <summary>What a node holds of one butterfly pair: the even (first) and odd (second) message and a coded one.</summary>
internal struct PairSlot
{
    public Message? First;
    public Message? Second;
    public Message? Coded;

    public readonly bool IsEmpty => First is null && Second is null && Coded is null;

    public readonly bool IsComplete => First is not null && Second is not null;

    /// <summary>Releases every message held here and empties the slot.</summary>
    public void Release()
    {
        First?.Release();
        Second?.Release();
        Coded?.Release();
        this = default;
    }
}
