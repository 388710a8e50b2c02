/// Ranks 1…n of `values`, ties given the mean of the ranks they span, and the tie-group sizes.
public func averageRanks(_ values: [Double]) -> (ranks: [Double], tieSizes: [Int]) {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var ties: [Int] = []
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
        let rank = Double(i + j + 2) / 2  // mean of ranks i+1 … j+1
        for k in i...j { ranks[order[k]] = rank }
        if j > i { ties.append(j - i + 1) }
        i = j + 1
    }
    return (ranks, ties)
}
