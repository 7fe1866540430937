/// How personal data is shown: in every response, roster and notification.
public enum Masking {
    /// `3201**********1234`.
    public static func idNumber(_ value: String) -> String {
        guard value.count > 8 else { return String(repeating: "*", count: value.count) }
        return String(value.prefix(4)) + String(repeating: "*", count: value.count - 8) + String(value.suffix(4))
    }

    /// `138****5678`.
    public static func phone(_ value: String) -> String {
        guard value.count >= 7 else { return String(repeating: "*", count: value.count) }
        return String(value.prefix(3)) + String(repeating: "*", count: value.count - 7) + String(value.suffix(4))
    }

    /// Double surnames that keep both characters when the name is long enough to still hide the given name.
    static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯",
        "轩辕", "端木", "南宫", "独孤", "西门", "万俟", "申屠", "太史", "呼延", "澹台", "公冶", "闻人", "赫连", "钟离",
    ]

    /// `张*`, `王**`, `欧阳**`: the surname stays, the given name is hidden.
    public static func name(_ value: String) -> String {
        let characters = Array(value)
        guard !characters.isEmpty else { return "" }
        let keep = characters.count >= 3 && compoundSurnames.contains(String(characters.prefix(2))) ? 2 : 1
        return String(characters.prefix(keep)) + String(repeating: "*", count: max(1, characters.count - keep))
    }
}
