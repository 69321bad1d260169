function target = write_session(session_dir, subject, session_datetime, varargin)
%WRITE_SESSION Write SESSION_DIR/session.yaml for session-files (MATLAB R2016b or later).
%
%   write_session('D:\data\lab\M001\2024-05-01_10-00-00', 'M001', datetime('now'), ...
%       'experimenters', {'alice'}, 'projects', {'vision'}, 'note', 'first try', ...
%       'attributes', struct('rig', 'rig-1', 'laser_mw', 3.5, 'opto', true))
%
%   Every text value is written with jsonencode: a JSON string is also a valid YAML
%   double-quoted scalar, so no YAML toolbox is needed and no value can be misread.
%   session_datetime is written as naive local time to the whole second. The file is
%   written to a hidden temporary file and then moved into place; an existing sidecar is
%   never replaced. Check the result with `session-files validate`, or let
%   `session-files new` write (and check) it:
%       system('session-files new "D:\data\lab\M001\..." --subject M001 --datetime now')

p = inputParser;
addParameter(p, 'experimenters', {});
addParameter(p, 'projects', {});
addParameter(p, 'note', '');
addParameter(p, 'attributes', struct());
parse(p, varargin{:});
opts = p.Results;

if isa(session_datetime, 'datetime')
    session_datetime.Format = 'yyyy-MM-dd HH:mm:ss';  % whole seconds, no time zone
    when = char(dateshift(session_datetime, 'start', 'second'));
else
    when = char(session_datetime);
end

lines = {['subject: ' jsonencode(char(subject))], ['session_datetime: ' jsonencode(when)]};
if ~isempty(opts.experimenters)
    lines{end+1} = ['experimenters: ' jsonencode(cellstr(opts.experimenters))];
end
if ~isempty(opts.projects)
    lines{end+1} = ['projects: ' jsonencode(cellstr(opts.projects))];
end
if ~isempty(opts.note)
    lines{end+1} = ['note: ' jsonencode(char(opts.note))];
end
names = fieldnames(opts.attributes);
if ~isempty(names)
    lines{end+1} = 'attributes:';
    for i = 1:numel(names)
        value = opts.attributes.(names{i});
        if islogical(value) || isnumeric(value)
            text = jsonencode(value);             % 3.5, 120, true
            if contains(text, 'e')
                text = jsonencode(text);          % 1e+21: quoted (YAML 1.1 reads it as text)
            end
        else
            text = jsonencode(char(value));
        end
        lines{end+1} = ['  ' names{i} ': ' text]; %#ok<AGROW>
    end
end

if ~exist(session_dir, 'dir')
    mkdir(session_dir);
end
target = fullfile(session_dir, 'session.yaml');
if exist(target, 'file')
    error('write_session:exists', '%s exists; it is never replaced', target);
end
[~, token] = fileparts(tempname);
temp = fullfile(session_dir, ['.session.yaml.' token '.tmp']);
fid = fopen(temp, 'w', 'n', 'UTF-8');
fprintf(fid, '%s\n', lines{:});
fclose(fid);
movefile(temp, target);
end
